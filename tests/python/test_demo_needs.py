"""`make demo` needs only what the demo needs: in a copy of the repository, with a PATH
that lacks every test tool (clang, valgrind, node, npm, Python), it builds the extension
and runs the demo to the end."""
import os
import shutil
import subprocess
import tempfile
import unittest

from roomcode_test_support import ROOT

TEST_TOOLS = ("clang", "valgrind", "node", "npm", "npx", "python", "clang-format", "dqlite")


def restricted_path(folder):
    """A folder of links to every command of /usr/bin and /bin except the test tools."""
    for directory in ("/usr/bin", "/bin"):
        for name in os.listdir(directory):
            if name.startswith(TEST_TOOLS) or os.path.exists(os.path.join(folder, name)):
                continue
            os.symlink(os.path.join(directory, name), os.path.join(folder, name))
    return folder


class DemoNeeds(unittest.TestCase):
    def test_demo_runs_without_test_tools(self):
        with tempfile.TemporaryDirectory() as tmp:
            files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                                   check=True).stdout.decode().split("\0")
            copy = os.path.join(tmp, "repo")
            for name in filter(None, files):
                if not os.path.exists(os.path.join(ROOT, name)):
                    continue  # deleted in the working tree, not yet committed
                os.makedirs(os.path.dirname(os.path.join(copy, name)), exist_ok=True)
                shutil.copy2(os.path.join(ROOT, name), os.path.join(copy, name))
            os.mkdir(os.path.join(tmp, "bin"))
            bin_dir = restricted_path(os.path.join(tmp, "bin"))
            self.assertIsNone(shutil.which("clang", path=bin_dir))
            self.assertIsNone(shutil.which("node", path=bin_dir))
            done = subprocess.run(["make", "demo"], cwd=copy, capture_output=True, text=True,
                                  env={"PATH": bin_dir, "HOME": tmp, "LANG": "C.UTF-8"},
                                  timeout=300)
            output = done.stdout + done.stderr
            self.assertEqual(done.returncode, 0, output[-3000:])
            self.assertIn("already has 100 room codes", output)
            self.assertIn("demo database left in build/demo.db", output)
            self.assertNotIn("missing Debian packages", output)
