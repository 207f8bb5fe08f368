def quick_sort(xs):
    if len(xs) < 2:
        return xs
    pivot = xs[0]
    smaller = [x for x in xs[1:] if x < pivot]
    larger = [x for x in xs[1:] if x >= pivot]
    return quick_sort(smaller) + [pivot] + quick_sort(larger)


print(quick_sort([3, 6, 1, 8, 2, 9, 2]))
print(quick_sort(["pear", "fig", "apple"]))
