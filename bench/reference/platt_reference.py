"""Reference figures for src/model/platt.rs: libsvm's sigmoid_train and multiclass_probability
(svm.cpp of libsvm 3.37) transcribed line by line into NumPy, run on the unit tests' inputs, and
checked against two independent solutions of the same problems: scikit-learn's
calibration._sigmoid_calibration (the same smoothed-target Platt loss, minimised by L-BFGS) and
the exact minimiser of the coupling's quadratic on the simplex (its KKT linear system).

  /work/venv/bin/python bench/reference/platt_reference.py
"""
import math

import numpy as np
import sklearn
from sklearn.calibration import _sigmoid_calibration


def sigmoid_train(dec, labels):
    prior1 = float(np.sum(labels > 0))
    prior0 = float(len(labels) - prior1)
    max_iter, min_step, sigma, eps = 100, 1e-10, 1e-12, 1e-5
    hi, lo = (prior1 + 1.0) / (prior1 + 2.0), 1 / (prior0 + 2.0)
    t = np.where(labels > 0, hi, lo)
    A, B = 0.0, math.log((prior0 + 1.0) / (prior1 + 1.0))

    def f(A, B):
        s = 0.0
        for x, ti in zip(dec, t):
            z = x * A + B
            s += ti * z + math.log1p(math.exp(-z)) if z >= 0 else (ti - 1) * z + math.log1p(math.exp(z))
        return s

    fval = f(A, B)
    for _ in range(max_iter):
        h11, h22, h21, g1, g2 = sigma, sigma, 0.0, 0.0, 0.0
        for x, ti in zip(dec, t):
            z = x * A + B
            if z >= 0:
                p, q = math.exp(-z) / (1 + math.exp(-z)), 1 / (1 + math.exp(-z))
            else:
                p, q = 1 / (1 + math.exp(z)), math.exp(z) / (1 + math.exp(z))
            d2 = p * q
            h11 += x * x * d2
            h22 += d2
            h21 += x * d2
            d1 = ti - p
            g1 += x * d1
            g2 += d1
        if abs(g1) < eps and abs(g2) < eps:
            break
        det = h11 * h22 - h21 * h21
        dA = -(h22 * g1 - h21 * g2) / det
        dB = -(-h21 * g1 + h11 * g2) / det
        gd = g1 * dA + g2 * dB
        step = 1.0
        while step >= min_step:
            nA, nB = A + step * dA, B + step * dB
            nf = f(nA, nB)
            if nf < fval + 0.0001 * step * gd:
                A, B, fval = nA, nB, nf
                break
            step /= 2
        if step < min_step:
            break
    return float(A), float(B)


def sigmoid_predict(x, A, B):
    z = x * A + B
    return math.exp(-z) / (1 + math.exp(-z)) if z >= 0 else 1 / (1 + math.exp(z))


def multiclass_probability(r):
    k = len(r)
    p = np.full(k, 1.0 / k)
    Q = np.zeros((k, k))
    for t in range(k):
        for j in range(t):
            Q[t, t] += r[j][t] ** 2
            Q[t, j] = Q[j, t]
        for j in range(t + 1, k):
            Q[t, t] += r[j][t] ** 2
            Q[t, j] = -r[j][t] * r[t][j]
    eps = 0.005 / k
    for _ in range(max(100, k)):
        Qp = Q @ p
        pQp = p @ Qp
        if np.max(np.abs(Qp - pQp)) < eps:
            break
        for t in range(k):
            diff = (-Qp[t] + pQp) / Q[t, t]
            p[t] += diff
            pQp = (pQp + diff * (diff * Q[t, t] + 2 * Qp[t])) / (1 + diff) / (1 + diff)
            for j in range(k):
                Qp[j] = (Qp[j] + diff * Q[t, j]) / (1 + diff)
                p[j] /= 1 + diff
    return p, Q


DECISION = np.array([-2.1, -1.7, -1.2, -0.9, -0.4, -0.1, 0.2, 0.3, 0.8, 1.1, 1.6, 2.4])
POSITIVE = np.array([0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1])

print(f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}")
A, B = sigmoid_train(DECISION, np.where(POSITIVE == 1, 1, -1))
print(f"sigmoid_train A {A!r} B {B!r}")
print(f"sigmoid_predict(0.5) {sigmoid_predict(0.5, A, B)!r}")
a2, b2 = map(float, _sigmoid_calibration(DECISION, POSITIVE))
print(f"scikit-learn _sigmoid_calibration a {a2!r} b {b2!r} (difference {abs(a2 - A):.2e}, {abs(b2 - B):.2e})")

pairs = [0.7, 0.9, 0.6]  # chance of i against j for (0, 1), (0, 2), (1, 2)
r = np.zeros((3, 3))
k = 0
for i in range(3):
    for j in range(i + 1, 3):
        r[i, j], r[j, i] = pairs[k], 1 - pairs[k]
        k += 1
p, Q = multiclass_probability(r)
print(f"multiclass_probability {p.tolist()!r}")
# The exact minimiser of p'Qp with sum p = 1 (KKT: [2Q 1; 1' 0] [p; mu] = [0; 1]).
kkt = np.block([[2 * Q, np.ones((3, 1))], [np.ones((1, 3)), np.zeros((1, 1))]])
exact = np.linalg.solve(kkt, np.r_[np.zeros(3), 1.0])[:3]
print(f"exact minimiser {exact.tolist()!r} (largest difference {np.max(np.abs(exact - p)):.2e})")
