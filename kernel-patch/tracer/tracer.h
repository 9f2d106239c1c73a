/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracer.ko's user interface: the misc device /dev/tracer (major 10, minor 42)
 * takes a pid as the ioctl argument (the value itself, not a pointer).
 */
#ifndef TRACER_H__
#define TRACER_H__

#include <linux/ioctl.h>
#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <sys/types.h>
#endif

#define TRACER_DEV_MINOR	42
#define TRACER_DEV_NAME		"tracer"

#define TRACER_ADD_PROCESS	_IOW(_IOC_WRITE, 42, pid_t)
#define TRACER_REMOVE_PROCESS	_IOW(_IOC_WRITE, 43, pid_t)

#endif /* TRACER_H__ */
