# lua 5.4 interpreter (the Debian lua5.4 source package), run on inputs/fib.lua.

### main-args
break main
run fib.lua one
bt
info args
p argc
p argv[1]
p *argv@argc
next
next
p L
info locals
continue

### pmain-next
break pmain
run fib.lua
next
next
next
p argc
p argv[0]
p script
p args
info locals
bt
finish

### print-builtin
break luaB_print
run fib.lua
bt 2
p n
next
p n
p L->ci->func
finish
continue

### str-rep
break str_rep
run fib.lua
next
next
next
next
p l
p n
p s
p sep
whatis s
x/s s
up
info frame
continue

### static-types
ptype luaL_Reg
whatis luaV_execute
ptype lua_CFunction
p sizeof(lua_State)
p sizeof(luaL_Buffer)
whatis progname
p progname
info line pmain
list handle_script
info functions ^str_re
break lstrlib.c:150
info breakpoints

### tbreak-cond
tbreak main
break str_upper
break luaB_print if n == 2
info breakpoints
run fib.lua
continue
p n
bt 1
continue
p L->top
continue

### display-step
break luaB_print
run fib.lua
display n
display i
next
next
next
info display
undisplay 1
next
step
bt 1

### until-advance
break pmain
run fib.lua
advance 624
p args
until 626
next
info locals
finish

### x-regs
break str_upper
run fib.lua
x/2i $pc
p $pc
info registers rip
p/x 255
p/t 10
p/c 65
output 42
x/4xw $sp
p L
p *L->l_G->l_registry.value_.gc
continue

### errors
p nosuch
break nosuch_function
list 99999
info frame
finish
x/4x 0
run fib.lua
frame 3
p 1 +
ptype struct nosuch
info scope nosuch_fn

### signals-catch
# signal dispositions, a catch syscall stop (the loader's first openat), bt and $_siginfo there
handle SIGUSR1 stop print
info signals SIGUSR1
catch syscall openat
run fib.lua
bt 3
info breakpoints
delete
p $_siginfo.si_signo
continue

### unions-enums
# lua's tagged unions, enums and its allocator function pointer
break luaV_execute
run fib.lua
p ci->callstatus
p/x ci->callstatus
p *ci->func
p ci->func->val
ptype StackValue
ptype Value
p L->l_G->frealloc
ptype L->l_G->frealloc
whatis L->l_G->mainthread
p L->l_G->tmname[0]
# (not the whole TString: its hash is seeded at random)
p L->l_G->tmname[0]->shrlen
p L->l_G->tmname[0]->contents
p (TMS)3
p TM_INDEX
p/d TM_EQ
whatis TM_EQ
p sizeof(TValue)
delete
continue

### lua-newstate
break lua_newstate
run fib.lua
info args
p f
ptype f
finish
p $->l_G->frealloc
p $$2->status
continue
