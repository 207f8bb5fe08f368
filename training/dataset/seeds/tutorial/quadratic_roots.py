import math


def solve(a, b, c):
    disc = b * b - 4 * a * c
    if disc < 0:
        return ()
    if disc == 0:
        return (-b / (2 * a),)
    root = math.sqrt(disc)
    return ((-b - root) / (2 * a), (-b + root) / (2 * a))


for coeffs in [(1, -3, 2), (1, 2, 1), (2, 0, 5)]:
    print(coeffs, solve(*coeffs))
