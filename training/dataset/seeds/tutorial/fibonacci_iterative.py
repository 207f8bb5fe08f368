def fibonacci_list(count):
    seq = [0, 1]
    while len(seq) < count:
        seq.append(seq[-1] + seq[-2])
    return seq[:count]


print(fibonacci_list(12))
print(fibonacci_list(1))
