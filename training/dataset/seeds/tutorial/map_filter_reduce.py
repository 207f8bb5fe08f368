from functools import reduce

prices = [19.99, 5.25, 42.0, 7.5, 13.75]
with_tax = list(map(lambda p: round(p * 1.2, 2), prices))
cheap = list(filter(lambda p: p < 15, with_tax))
total = reduce(lambda acc, p: acc + p, cheap, 0)
print(with_tax)
print(cheap)
print(round(total, 2))
