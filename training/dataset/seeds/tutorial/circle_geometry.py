import math

radii = [1, 2.5, 10]
for r in radii:
    circumference = 2 * math.pi * r
    area = math.pi * r ** 2
    print(f"r={r}: C={circumference:.3f} A={area:.3f}")
print(math.floor(math.pi * 100) / 100, math.ceil(math.e))
