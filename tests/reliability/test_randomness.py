"""The letters of a million codes drawn with roomcode_generate() look uniform and
independent (docs/security.md, "How codes are drawn").

Three chi-square tests on N = 1,000,000 codes, generated in one SQL statement:
  letters      all 10N letters over 26 letters                      df = 25
  positions    each of the 10 positions over 26 letters (260 cells,  df = 10 x 25 = 250
               each position's total fixed at N)
  pairs        for each of the 9 adjacent position pairs, the 26x26  df = 25 x 25 = 625
               contingency table against independence                (9 tests)

That is 11 statistics. Each is held to a critical value with a false-failure chance of
1e-7, so a correct generator fails this test about once in 10^6 runs (11 x 1e-7). The
critical values are the chi-square quantiles for p = 1e-7, computed below from the
regularized incomplete gamma function and checked against the constants:

  df =  25: 80.37      df = 250: 384.09      df = 625: 826.49

The test proves it can fail: the same statistics on letters drawn with modulo bias
(byte % 26, what rejection sampling avoids) and on pairs where 1% of second letters copy
the first must exceed the critical values.
"""
import collections
import math
import os
import random
import unittest

from reliability_support import connect, figure

N = 1_000_000
ALPHA = 1e-7
CRITICAL = {25: 80.37, 250: 384.09, 625: 826.49}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def upper_gamma_regularized(a, x):
    """Q(a, x) = Gamma(a, x) / Gamma(a): a series below a + 1, a continued fraction
    (modified Lentz) above, as in Numerical Recipes' gammq."""
    if x <= 0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        while abs(term) > abs(total) * 1e-16:
            n += 1
            term *= x / n
            total += term
        return 1.0 - total * math.exp(log_front)
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 100000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return math.exp(log_front) * h


def chi2_survival(x, df):
    return upper_gamma_regularized(df / 2, x / 2)


def chi2_critical(df, alpha):
    """The x with P(chi2_df > x) = alpha, by bisection."""
    lo, hi = 0.0, df + 200 * math.sqrt(2 * df) + 200
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if chi2_survival(mid, df) > alpha else (lo, mid)
    return hi


def goodness_of_fit(counts, total, cells):
    expected = total / cells
    return sum((counts.get(c, 0) - expected) ** 2 / expected for c in LETTERS)


def letters_statistic(columns):
    counts = collections.Counter()
    for col in columns:
        counts.update(col)
    return goodness_of_fit(counts, sum(len(c) for c in columns), 26)


def positions_statistic(columns):
    return sum(goodness_of_fit(collections.Counter(col), len(col), 26) for col in columns)


def pair_statistic(first, second):
    """Chi-square of the 26x26 contingency table of (first[i], second[i]) against
    independence: expected cell = row total x column total / n."""
    n = len(first)
    cells = collections.Counter(zip(first, second))
    rows, cols = collections.Counter(first), collections.Counter(second)
    stat = 0.0
    for a in LETTERS:
        for b in LETTERS:
            expected = rows[a] * cols[b] / n
            stat += (cells.get((a, b), 0) - expected) ** 2 / expected
    return stat


def draw_codes(n):
    """n codes from roomcode_generate(), as 10 columns of letters (one string each)."""
    db = connect()
    try:
        text = db.execute(
            "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?)"
            " SELECT group_concat(roomcode_generate(), '') FROM i", (n,)).fetchone()[0]
    finally:
        db.close()
    assert len(text) == 12 * n
    letters = text.replace("-", "")
    assert len(letters) == 10 * n and set(letters) <= set(LETTERS)
    codes = {text[i:i + 12] for i in range(0, len(text), 12)}
    return [letters[p::10] for p in range(10)], n - len(codes)


class CriticalValues(unittest.TestCase):
    def test_constants_are_the_quantiles(self):
        # the incomplete gamma against two textbook quantiles first
        self.assertAlmostEqual(chi2_survival(37.652, 25), 0.05, places=4)
        self.assertAlmostEqual(chi2_survival(44.314, 25), 0.01, places=4)
        for df, value in CRITICAL.items():
            self.assertAlmostEqual(chi2_critical(df, ALPHA), value, places=1)
            self.assertAlmostEqual(chi2_survival(value, df), ALPHA, delta=ALPHA * 0.01)


class Uniformity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.columns, cls.duplicates = draw_codes(N)

    def test_letters(self):
        stat = letters_statistic(self.columns)
        figure(f"chi-square letters ({10 * N} letters, df 25): {stat:.1f}"
               f" (p = {chi2_survival(stat, 25):.3g}; critical {CRITICAL[25]})")
        self.assertLess(stat, CRITICAL[25])

    def test_positions(self):
        stat = positions_statistic(self.columns)
        per = [goodness_of_fit(collections.Counter(c), N, 26) for c in self.columns]
        figure(f"chi-square positions (10 x 26, df 250): {stat:.1f}"
               f" (p = {chi2_survival(stat, 250):.3g}; critical {CRITICAL[250]});"
               f" per position {', '.join(f'{s:.0f}' for s in per)}")
        self.assertLess(stat, CRITICAL[250])

    def test_adjacent_pairs(self):
        stats = [pair_statistic(self.columns[p], self.columns[p + 1]) for p in range(9)]
        figure("chi-square adjacent pairs (26 x 26, df 625): "
               + ", ".join(f"{s:.0f}" for s in stats)
               + f" (max p-value {max(chi2_survival(s, 625) for s in stats):.3g},"
               f" min {min(chi2_survival(s, 625) for s in stats):.3g}; critical {CRITICAL[625]})")
        for p, stat in enumerate(stats):
            with self.subTest(positions=(p, p + 1)):
                self.assertLess(stat, CRITICAL[625])

    def test_duplicates_reported(self):
        # 1e6 codes in 26^10 collide with probability about n^2 / (2 * 26^10) = 0.35%,
        # too often for an assertion: reported only.
        figure(f"duplicated codes among {N}: {self.duplicates}")


class TheTestCanFail(unittest.TestCase):
    def test_modulo_bias_is_caught(self):
        # byte % 26 favours a..v (10/256 each) over w..z (9/256)
        table = bytes(ord("a") + b % 26 for b in range(256))
        biased = os.urandom(N).translate(table).decode()
        columns = [biased[p::10] for p in range(10)]
        stat = letters_statistic(columns)
        figure(f"chi-square letters of {N} letters drawn as byte % 26: {stat:.0f}")
        self.assertGreater(stat, CRITICAL[25])
        self.assertGreater(positions_statistic(columns), CRITICAL[250])

    def test_dependence_is_caught(self):
        rnd = random.Random(7)
        first = "".join(rnd.choice(LETTERS) for _ in range(N // 4))
        second = "".join(a if rnd.random() < 0.01 else rnd.choice(LETTERS) for a in first)
        stat = pair_statistic(first, second)
        figure(f"chi-square of {N // 4} pairs where 1% of second letters copy the first: {stat:.0f}")
        self.assertGreater(stat, CRITICAL[625])


if __name__ == "__main__":
    unittest.main()
