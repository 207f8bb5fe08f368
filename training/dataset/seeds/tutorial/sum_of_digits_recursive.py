def digit_sum(n):
    return n if n < 10 else n % 10 + digit_sum(n // 10)


numbers = [0, 9, 123, 99999]
print([digit_sum(n) for n in numbers])
print(max(numbers, key=digit_sum))
