"""Room Links survive a browser's URL parser. Bases made of random path segments (dot
segments in every percent-encoding and case among them, templates and plain bases, with
queries and fragments) go through roomcode_link; every link it makes is parsed by Node's
WHATWG URL parser (`new URL`, as browsers parse), and the parsed link must still read as
its code. The forms seen to lose the code are refused by name."""
import json
import random
import shutil
import sqlite3
import subprocess
import unittest

from roomcode_test_support import connect

CODE = "abc-defg-hij"
SEGMENTS = ["a", "{code}", "{code}", ".", "..", "%2e", "%2E", ".%2e", "%2E.", "%2e%2E", "...",
            "a.b", "%2e%2e%2e", "", "meeting", ".a", "a.", "%2f", "x%2E", ";", "..;"]
PARSE = ("const links = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
         "process.stdout.write(JSON.stringify(links.map((l) => {"
         " try { return new URL(l).href; } catch (e) { return null; } })));")


def random_base(rng):
    scheme = rng.choice(["", "https://", "http://", "HTTPS://"])
    host = rng.choice(["x.com", "a.b.c", "x.com:8080", "10.0.0.1", "meet.example.com"])
    path = "/".join(rng.choice(SEGMENTS) for _ in range(rng.randrange(0, 5)))
    tail = rng.choice(["", "", "?c={code}", "#{code}", "?a=/../", "#/./{code}"])
    return scheme + host + ("/" + path if path or rng.random() < 0.5 else "") + tail


@unittest.skipUnless(shutil.which("node"), "node is not installed")
class LinksWhatwg(unittest.TestCase):
    def setUp(self):
        self.db = connect()

    def tearDown(self):
        self.db.close()

    def parsed(self, links):
        out = subprocess.run(["node", "-e", PARSE], input=json.dumps(links), text=True,
                             capture_output=True, timeout=60, check=True)
        return json.loads(out.stdout)

    def test_every_link_keeps_its_code_in_a_url_parser(self):
        rng = random.Random(20261207)
        links, refused = {}, 0
        for _ in range(3000):
            base = random_base(rng)
            try:
                links[base] = self.db.execute("SELECT roomcode_link(?, ?)", (CODE, base)
                                              ).fetchone()[0]
            except sqlite3.OperationalError as e:
                refused += "dot segment" in str(e)
        hrefs = self.parsed(list(links.values()))
        for (base, link), href in zip(links.items(), hrefs):
            with self.subTest(base=base, link=link, href=href):
                self.assertIsNotNone(href)
                self.assertEqual(self.db.execute("SELECT roomcode_normalize(?)", (href,))
                                 .fetchone()[0], CODE)
        self.assertGreater(len(links), 500)
        self.assertGreater(refused, 500)

    def test_forms_that_lose_the_code_are_refused(self):
        for base in ["https://x.com/{code}/..", "x.com/{code}/%2E%2e", "x.com/a/{code}/../b",
                     "https://x.com/{code}/.%2E", "https://x.com/{code}/%2e./", "x.com/{code}/.",
                     "x.com/{code}/%2E", "https://x.com/app/../", "x.com/{code}\\..",
                     "x.com/{code}/%2e%2e?x"]:
            with self.subTest(base=base):
                with self.assertRaises(sqlite3.OperationalError) as cm:
                    self.db.execute("SELECT roomcode_link(?, ?)", (CODE, base))
                self.assertIn(repr(base).replace("\\\\", "\\"), str(cm.exception))
        # and Node agrees that they lose it
        lost = self.parsed(["https://x.com/abc-defg-hij/..", "https://x.com/abc-defg-hij/%2E%2e",
                            "https://x.com/a/abc-defg-hij/../b"])
        self.assertEqual(lost, ["https://x.com/", "https://x.com/", "https://x.com/a/b"])


if __name__ == "__main__":
    unittest.main()
