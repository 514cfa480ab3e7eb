"""The recipes of docs/orm.md (SQLAlchemy, Django), run exactly as the page shows them: the
```python blocks of a section are taken from the page in order, run as one script with
Debian's /usr/bin/python3 in a scratch directory (where ./build leads to the built
extension), and must print what the section's "It prints:" block says. The database they
leave is then read apart from them."""
import os
import re
import subprocess
import tempfile
import unittest

from roomcode_test_support import ROOT, connect

PAGE = os.path.join(ROOT, "docs", "orm.md")
# every recipe makes two codes in standup-42, rotates the guest's, and disables them all
FINAL_STATE = [("guest", 0, "user-7", 1), ("guest", 0, "user-7", 1), ("host", 0, None, 1)]


def recipes():
    """{section title: (its python blocks joined in order, its "It prints:" text or None)}"""
    text = open(PAGE, encoding="utf-8").read()
    found = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        code = "\n".join(re.findall(r"^```python\n(.*?)^```", section, re.S | re.M))
        prints = re.findall(r"It prints:\n\n```text\n(.*?)^```", section, re.S | re.M)
        found[title] = (code, prints[0] if prints else None)
    return found


class Recipes(unittest.TestCase):
    def run_recipe(self, title):
        code, prints = recipes()[title]
        self.assertIn("load_extension(\"./build/roomcode\")", code)
        self.assertIsNotNone(prints, f"{title}: no 'It prints:' block")
        with tempfile.TemporaryDirectory() as scratch:
            os.symlink(os.path.join(ROOT, "build"), os.path.join(scratch, "build"))
            script = os.path.join(scratch, "recipe.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write(code)
            run = subprocess.run(["/usr/bin/python3", script], cwd=scratch, capture_output=True,
                                 text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(run.stdout, prints)
            db = connect(os.path.join(scratch, "codes.db"))
            try:
                self.assertEqual(db.execute(
                    "SELECT role, enabled, user_id, roomcode_valid(code) FROM room_codes"
                    " WHERE room_id = 'standup-42' ORDER BY role, user_id").fetchall(), FINAL_STATE)
                self.assertEqual(db.execute(
                    "SELECT count(*) FROM room_codes WHERE created_at IS NULL"
                    " OR updated_at < created_at").fetchone(), (0,))
                self.assertEqual(db.execute("PRAGMA integrity_check").fetchone(), ("ok",))
            finally:
                db.close()

    def test_page_has_both_recipes(self):
        found = recipes()
        self.assertIn("SQLAlchemy", found)
        self.assertIn("Django", found)

    def test_sqlalchemy(self):
        self.run_recipe("SQLAlchemy")

    def test_django(self):
        self.run_recipe("Django")


if __name__ == "__main__":
    unittest.main()
