def mean(values):
    assert len(values) > 0, "mean of empty list"
    return sum(values) / len(values)


print(mean([2, 4, 9]))
try:
    mean([])
except AssertionError as e:
    print("AssertionError:", e)
