def is_armstrong(n):
    digits = str(n)
    power = len(digits)
    return n == sum(int(d) ** power for d in digits)


candidates = [100, 153, 200, 370, 371, 372, 407, 999]
found = [n for n in candidates if is_armstrong(n)]
print(found)
print(is_armstrong(9474))
