from math import gcd


class Fraction:
    def __init__(self, num, den):
        common = gcd(num, den)
        self.num = num // common
        self.den = den // common

    def __add__(self, other):
        return Fraction(self.num * other.den + other.num * self.den, self.den * other.den)

    def __str__(self):
        return f"{self.num}/{self.den}"


half = Fraction(1, 2)
third = Fraction(2, 6)
print(third)
print(half + third)
print(half + half)
