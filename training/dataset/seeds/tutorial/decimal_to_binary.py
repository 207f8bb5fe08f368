def to_binary(n):
    if n == 0:
        return "0"
    bits = ""
    while n > 0:
        bits = str(n % 2) + bits
        n //= 2
    return bits


for number in [0, 5, 13, 64]:
    print(number, to_binary(number), bin(number)[2:])
