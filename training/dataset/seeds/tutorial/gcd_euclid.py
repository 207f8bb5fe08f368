def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


pairs = [(48, 18), (17, 5), (100, 75), (0, 9)]
for x, y in pairs:
    print(f"gcd({x}, {y}) = {gcd(x, y)}")
