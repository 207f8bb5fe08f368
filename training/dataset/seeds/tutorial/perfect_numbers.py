def divisors(n):
    return [d for d in range(1, n // 2 + 1) if n % d == 0]


perfect = []
for candidate in range(2, 30):
    if sum(divisors(candidate)) == candidate:
        perfect.append(candidate)
print(perfect)
print(divisors(28))
