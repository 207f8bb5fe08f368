# Reads stdin. Try: printf '3\n1 2 3\n' > in.txt && codeexecutor trace examples/stdin_sum.py --stdin in.txt
n = int(input())
numbers = [int(x) for x in input().split()]
try:
    ratio = sum(numbers) / (n - len(numbers))
except ZeroDivisionError:
    ratio = None
print(sum(numbers), ratio)
