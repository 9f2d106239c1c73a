local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("fib", fib(10))
print(string.rep("ab", 3, "-"))
print(string.format("%5.2f|%d", 3.14159, 42))
local t = {}
for i = 1, 5 do t[i] = i * i end
print(table.concat(t, ","))
print(string.upper("hello"))
print(#arg, arg[1])
