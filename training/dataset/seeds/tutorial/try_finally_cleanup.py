log = []


def process(batch):
    log.append("open")
    try:
        total = 0
        for value in batch:
            total += 10 // value
        return total
    finally:
        log.append("close")


print(process([1, 2, 5]))
try:
    process([4, 0, 1])
except ZeroDivisionError:
    print("batch failed")
print(log)
