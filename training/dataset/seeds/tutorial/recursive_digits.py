def digit_list(n):
    if n < 10:
        return [n]
    return digit_list(n // 10) + [n % 10]


def digital_root(n):
    while n >= 10:
        n = sum(digit_list(n))
    return n


print(digit_list(40721))
print(digital_root(987654321))
