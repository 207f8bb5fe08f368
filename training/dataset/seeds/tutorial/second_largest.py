def second_largest(numbers):
    first = second = None
    for n in numbers:
        if first is None or n > first:
            first, second = n, first
        elif n != first and (second is None or n > second):
            second = n
    return second


print(second_largest([10, 5, 20, 20, 8]))
print(second_largest([7, 7]))
print(second_largest([3, 9, 4]))
