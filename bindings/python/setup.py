"""The Python package roomcode: the loadable module built by the repository's Makefile
(build/roomcode.so), with loadable_path() and load(conn). Its version is the repository's
VERSION. The wheel carries a native module but no Python extension, so it is tagged
py3-none-<platform>."""
import os
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py
from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

with open(os.path.join(ROOT, "VERSION"), encoding="utf-8") as f:
    VERSION = f.read().strip()
with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
    README = f.read()


class build_py_with_module(build_py):
    """Builds the module with make (nothing to do when it is current) and packs it, without
    its debug information, beside __init__.py; the licence goes along."""

    def run(self):
        super().run()
        subprocess.run(["make", "-C", ROOT, "--no-print-directory", "build/roomcode.so"],
                       check=True)
        package = os.path.join(self.build_lib, "roomcode")
        self.mkpath(package)
        subprocess.run(["strip", "--strip-debug", "-o", os.path.join(package, "roomcode.so"),
                        os.path.join(ROOT, "build", "roomcode.so")], check=True)
        self.copy_file(os.path.join(ROOT, "LICENSE"), os.path.join(package, "LICENSE"))


class DistributionWithModule(Distribution):
    """Says the package holds native code, so that it lands in platlib and the wheel is not
    tagged pure."""

    def has_ext_modules(self):
        return True


class bdist_wheel_for_platform(bdist_wheel):
    def get_tag(self):
        return ("py3", "none", super().get_tag()[2])


setup(
    name="roomcode",
    version=VERSION,
    description="Room codes for SQLite: the roomcode extension, with load(conn) for sqlite3",
    long_description=README,
    long_description_content_type="text/markdown",
    license="MIT",
    packages=["roomcode"],
    python_requires=">=3.7",
    distclass=DistributionWithModule,
    cmdclass={"build_py": build_py_with_module, "bdist_wheel": bdist_wheel_for_platform},
    zip_safe=False,
)
