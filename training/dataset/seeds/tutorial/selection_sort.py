nums = [64, 25, 12, 22, 11]
for i in range(len(nums)):
    smallest = i
    for j in range(i + 1, len(nums)):
        if nums[j] < nums[smallest]:
            smallest = j
    nums[i], nums[smallest] = nums[smallest], nums[i]
print(nums)
