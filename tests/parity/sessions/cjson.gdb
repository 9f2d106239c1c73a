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
