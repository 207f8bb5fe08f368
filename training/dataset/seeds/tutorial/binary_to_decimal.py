def from_binary(bits):
    value = 0
    for bit in bits:
        value = value * 2 + int(bit)
    return value


samples = ["1011", "11111111", "100000"]
for s in samples:
    print(s, from_binary(s), int(s, 2))
