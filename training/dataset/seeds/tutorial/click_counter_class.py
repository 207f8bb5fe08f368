class Counter:
    total_clicks = 0

    def __init__(self, label):
        self.label = label
        self.clicks = 0

    def click(self, times=1):
        self.clicks += times
        Counter.total_clicks += times


left = Counter("left")
right = Counter("right")
left.click()
right.click(3)
left.click(2)
print(left.label, left.clicks)
print(right.label, right.clicks)
print("all:", Counter.total_clicks)
