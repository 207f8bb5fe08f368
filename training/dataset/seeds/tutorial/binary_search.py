def binary_search(sorted_items, target):
    low, high = 0, len(sorted_items) - 1
    while low <= high:
        mid = (low + high) // 2
        if sorted_items[mid] == target:
            return mid
        if sorted_items[mid] < target:
            low = mid + 1
        else:
            high = mid - 1
    return -1


primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
print(binary_search(primes, 19))
print(binary_search(primes, 4))
