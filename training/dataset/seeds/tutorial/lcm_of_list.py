from functools import reduce
from math import gcd


def lcm(a, b):
    return a * b // gcd(a, b)


numbers = [4, 6, 10]
print(reduce(lcm, numbers))
print(lcm(21, 6))
