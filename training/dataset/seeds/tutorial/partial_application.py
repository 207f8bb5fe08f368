from functools import partial


def scale(value, factor, offset=0):
    return value * factor + offset


to_cents = partial(scale, factor=100)
celsius_to_f = partial(scale, factor=1.8, offset=32)
print(to_cents(4.25))
print([celsius_to_f(c) for c in (0, 25, 100)])
