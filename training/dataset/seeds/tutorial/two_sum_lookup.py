def two_sum(nums, target):
    index_of = {}
    for i, n in enumerate(nums):
        need = target - n
        if need in index_of:
            return index_of[need], i
        index_of[n] = i
    return None


print(two_sum([2, 7, 11, 15], 9))
print(two_sum([3, 2, 4], 6))
print(two_sum([1, 2], 7))
