name = input()
count = int(input())
print("hi " * count + name)
