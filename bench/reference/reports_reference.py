"""Reference figures of tests/reports.rs (issue 13, item 3): Brier (scikit-learn), KS
(scipy.stats.ks_2samp), Hosmer-Lemeshow by hand with NumPy and chi2.sf (SciPy), on the same
fixed and generated vectors. Run: .venv-bench/bin/python bench/reference/reports_reference.py"""
import numpy as np
from scipy.stats import chi2, ks_2samp
from sklearn.metrics import brier_score_loss


def hosmer_lemeshow(y, p, groups):
    order = np.argsort(p, kind="stable")
    ys, ps = y[order], p[order]
    n = len(p)
    h = 0.0
    for g in range(groups):
        idx = [i for i in range(n) if i * groups // n == g]
        o, e, m = ys[idx].sum(), ps[idx].sum(), len(idx)
        h += (o - e) ** 2 / (e * (1 - e / m))
    return h, chi2.sf(h, groups - 2)


p = np.array([0.02, 0.05, 0.08, 0.10, 0.12, 0.15, 0.18, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45,
              0.50, 0.55, 0.60, 0.70, 0.80, 0.85, 0.95])
y = np.array([0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1])
print("small: brier", repr(brier_score_loss(y, p)), "ks", repr(ks_2samp(p[y == 1], p[y == 0]).statistic),
      "hl, p", hosmer_lemeshow(y, p, 5))

x, u = 12345, []
for _ in range(2000):
    x = (1664525 * x + 1013904223) % 2**32
    u.append(x / 2**32)
p2 = np.array([0.02 + 0.9 * u[2 * i] ** 2 for i in range(1000)])
y2 = np.array([1 if u[2 * i + 1] < p2[i] else 0 for i in range(1000)])
print("generated: bads", y2.sum(), "brier", repr(brier_score_loss(y2, p2)),
      "ks", repr(ks_2samp(p2[y2 == 1], p2[y2 == 0]).statistic), "hl, p", hosmer_lemeshow(y2, p2, 10))
print("shrunk x0.6: hl, p", hosmer_lemeshow(y2, p2 * 0.6, 10))
print("chi2.sf", [repr(chi2.sf(a, b)) for a, b in [(3.0, 3), (15.5, 8), (0.5, 1), (40.0, 8)]])
