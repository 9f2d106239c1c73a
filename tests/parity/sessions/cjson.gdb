# cJSON 1.7.15's test program (the Debian cjson source package): builds and prints objects.

### main-step
break main
run
next
step
bt
finish
next
continue

### create-objects
# (the locals are printed once initialised: stack garbage holds the random canary)
break create_objects
run
next
next
next
until 170
p fields
p numbers[1]
p numbers
p ids
p strings
ptype numbers
whatis fields[0]
p fields[1].city
info locals
continue

### parse-number
break cJSON_CreateNumber
run
p num
finish
p *$
p $->valuedouble
continue

### print-value
break print_value
run
p *item
p item->type
p *output_buffer
bt 3
finish
continue

### preallocated
break print_preallocated
run
p *root
p root->child->string
p *root->child
next
next
next
p len
info locals
continue

### ptype-static
ptype cJSON
ptype cJSON_Hooks
ptype printbuffer
whatis cJSON_Parse
p sizeof(cJSON)
info line print_value
list cJSON_Version
info functions ^cJSON_Create
p global_hooks
p global_error

### add-item
break cJSON_AddItemToObject
run
p string
p *item
finish
bt 1
continue

### tbreak-cond
tbreak create_objects
break cJSON_CreateString if string[0] == 'r'
run
info breakpoints
continue
p string
x/s string
bt 2
continue

### watch-display
break print_preallocated
run
display len
display/x len_fail
next
next
next
next
info display
undisplay 1
next
continue

### delete-free
break cJSON_Delete
run
p *item
p item->next
p item->child
finish
continue

### until-advance
break create_objects
run
until 120
info args
advance 150
bt
finish

### asm-names
# addresses named as gdb names them: info symbol with and without a process,
# disassemble /s from the opening brace, x/i, a function-local static (version.0)
info symbol main
info symbol cJSON_Version
disassemble /s cJSON_GetArraySize
x/8i cJSON_Version
break cJSON_Version
run
info symbol $pc
x/6i $pc
finish
x/s $rax
p $rax
kill
info symbol main
info symbol cJSON_Version

### libc-malloc
# a breakpoint in libc through its separate debug file (libc6-dbg): every location,
# the stop, bt through libc with arguments, finish out of it
break cJSON_CreateObject
run
break malloc
info breakpoints 2
continue
bt
info frame
finish
delete
continue

### frames-updown
break print_number
run
bt
up
info locals
down
frame 2
frame
up 2
down 1
info frame
continue

### print-formats
# a double, negative numbers, /x of a struct, output, echo and printf's conversions
break print_number
run
p *item
p/x item->type
p item->valuedouble
p -item->valuedouble
p/x *item
output item->valueint
echo \n
output/x item->type
echo \n
printf "%s %d %f %c\n", item->string, item->valueint, item->valuedouble, 65
printf "%5.2f|%-4d|%x|%e\n", item->valuedouble, item->valueint, item->type, 1234.5
whatis item->valuedouble * 2
whatis &item->child
ptype output_buffer
p sizeof(*item)
p item->string == 0
continue

### hooks-fnptr
# function pointers in a static struct, their types, info address/line/symbol
break cJSON_CreateObject
run
p global_hooks
ptype global_hooks
whatis global_hooks.allocate
ptype global_hooks.deallocate
p *global_hooks.allocate
p global_hooks.allocate == malloc
info address global_hooks
info address cJSON_CreateObject
info line cJSON_CreateObject
info symbol global_hooks
continue

### set-var-call
# set var on a struct member, calls of the program's functions, $ afterwards
break print_preallocated
run
p root->type
set var root->type = 64
p root->type
set var root->type = 6
p cJSON_IsObject(root)
call cJSON_GetArraySize(root)
p *root->child
p cJSON_GetArraySize(root->child)
p $ + 1
p $$2
continue
