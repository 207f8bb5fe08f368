# example: summarize([3, 1, 4, 1, 5])
def summarize(values):
    count = 0
    total = 0
    smallest = None
    largest = None
    for v in values:
        count += 1
        total += v
        if smallest is None or v < smallest:
            smallest = v
        if largest is None or v > largest:
            largest = v
    if count == 0:
        return None
    mean = total / count
    spread = largest - smallest
    label = "flat" if spread == 0 else "varied"
    return {"n": count, "mean": mean, "spread": spread, "label": label}


result = summarize([3, 1, 4, 1, 5])
