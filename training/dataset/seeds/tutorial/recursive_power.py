def power(base, exp):
    if exp == 0:
        return 1
    half = power(base, exp // 2)
    if exp % 2 == 0:
        return half * half
    return half * half * base


print(power(2, 10))
print(power(3, 5))
print(power(7, 0))
