"""Every relative link in README.md, docs/ and tests/README.md leads to a file of the
repository, and every #anchor to a heading of that page (GitHub's heading slugs), so the
front door and the pages cannot point into nothing after a move."""
import glob
import os
import re
import unittest

from roomcode_test_support import ROOT


def slug(heading):
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", text, re.M)}


def pages():
    found = [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "tests", "README.md")]
    found += glob.glob(os.path.join(ROOT, "docs", "*.md"))
    return [p for p in found if os.path.exists(p)]


class DocsLinks(unittest.TestCase):
    def test_relative_links_resolve(self):
        checked = 0
        for page in pages():
            text = open(page, encoding="utf-8").read()
            text = re.sub(r"```.*?```", "", text, flags=re.S)
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                full = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                with self.subTest(page=os.path.relpath(page, ROOT), link=target):
                    self.assertTrue(os.path.exists(full), f"{target} leads nowhere")
                    if anchor and full.endswith(".md"):
                        self.assertIn(anchor, anchors(full))
                checked += 1
        self.assertGreater(checked, 20)

    def test_slugs_follow_github(self):
        self.assertEqual(slug("`roomcode_new(room_id, role [, user_id])`"),
                         "roomcode_newroom_id-role--user_id")
        self.assertEqual(slug("Storage in short"), "storage-in-short")
