import math

limit = 20
triples = [
    (a, b, math.isqrt(a * a + b * b))
    for a in range(1, limit)
    for b in range(a, limit)
    if math.isqrt(a * a + b * b) ** 2 == a * a + b * b and math.isqrt(a * a + b * b) < limit
]
print(triples)
print(len(triples), "triples with sides below", limit)
