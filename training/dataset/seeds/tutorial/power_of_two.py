def is_power_of_two(n):
    return n > 0 and n & (n - 1) == 0


checks = [1, 6, 16, 31, 64, 0]
for c in checks:
    print(c, is_power_of_two(c))
print([2 ** k for k in range(8)])
