// SPDX-License-Identifier: GPL-2.0
/*
 * tracer_drive.ko: tracer.ko's test driver. At load it creates `threads`
 * kernel threads, not yet running; /proc/tracer_drive lists their pids.
 * Writing "go" to it starts them; each then does, in its own context:
 *
 *   kmallocs  x kmalloc(size * (i + 1)) for i = 0..kmallocs-1, then kfree of each
 *   downs     x down_interruptible() + up() on a semaphore of its own
 *   locks     x mutex_lock() + mutex_unlock() on a mutex of its own
 *   sleeps    x usleep_range(1000, 2000)
 *
 * and then waits (sleeping) for rmmod. Once every thread is done, the first
 * line of /proc/tracer_drive reads "done N/N".
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/semaphore.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static unsigned int threads = 1;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "kernel threads to create (1..256)");
static unsigned int kmallocs = 10;
module_param(kmallocs, uint, 0444);
static unsigned int size = 16;
module_param(size, uint, 0444);
static unsigned int downs = 3;
module_param(downs, uint, 0444);
static unsigned int locks = 5;
module_param(locks, uint, 0444);
static unsigned int sleeps = 2;
module_param(sleeps, uint, 0444);

struct drive_thread {
	struct task_struct *task;
	void **ptrs;
	struct semaphore sem;	/* its own: down/up never wait */
	struct mutex lock;	/* its own: lock/unlock never wait */
};

static struct drive_thread *drive;
static atomic_t done = ATOMIC_INIT(0);
static bool started;
static DEFINE_MUTEX(start_lock);

static int drive_fn(void *arg)
{
	struct drive_thread *t = arg;
	unsigned int i;

	for (i = 0; i < kmallocs; i++)
		t->ptrs[i] = kmalloc(size * (i + 1), GFP_KERNEL);
	for (i = 0; i < kmallocs; i++)
		kfree(t->ptrs[i]);
	for (i = 0; i < downs; i++) {
		if (down_interruptible(&t->sem))
			break;
		up(&t->sem);
	}
	for (i = 0; i < locks; i++) {
		mutex_lock(&t->lock);
		mutex_unlock(&t->lock);
	}
	for (i = 0; i < sleeps; i++)
		usleep_range(1000, 2000);
	atomic_inc(&done);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int drive_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_printf(m, "done %d/%u\n", atomic_read(&done), threads);
	for (i = 0; i < threads; i++)
		seq_printf(m, "%d\n", task_pid_nr(drive[i].task));
	return 0;
}

static int drive_open(struct inode *inode, struct file *file)
{
	return single_open(file, drive_show, NULL);
}

static ssize_t drive_write(struct file *file, const char __user *buf, size_t len, loff_t *pos)
{
	char cmd[8] = "";
	unsigned int i;

	if (copy_from_user(cmd, buf, min(len, sizeof(cmd) - 1)))
		return -EFAULT;
	if (strcmp(strim(cmd), "go"))
		return -EINVAL;
	mutex_lock(&start_lock);
	if (!started) {
		started = true;
		for (i = 0; i < threads; i++)
			wake_up_process(drive[i].task);
	}
	mutex_unlock(&start_lock);
	return len;
}

static const struct proc_ops drive_ops = {
	.proc_open = drive_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
	.proc_write = drive_write,
};

static struct proc_dir_entry *proc_entry;

static void drive_free(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		kthread_stop(drive[i].task);
		kfree(drive[i].ptrs);
	}
	kfree(drive);
}

static int __init drive_init(void)
{
	unsigned int i;

	if (!threads || threads > 256 || kmallocs > 1024 || !size || size > 1024)
		return -EINVAL;
	drive = kcalloc(threads, sizeof(*drive), GFP_KERNEL);
	if (!drive)
		return -ENOMEM;
	for (i = 0; i < threads; i++) {
		struct drive_thread *t = &drive[i];

		sema_init(&t->sem, 1);
		mutex_init(&t->lock);
		t->ptrs = kcalloc(kmallocs ? kmallocs : 1, sizeof(void *), GFP_KERNEL);
		if (!t->ptrs)
			goto fail;
		t->task = kthread_create(drive_fn, t, "tracer_drive/%u", i);
		if (IS_ERR(t->task)) {
			kfree(t->ptrs);
			goto fail;
		}
	}
	proc_entry = proc_create("tracer_drive", 0600, NULL, &drive_ops);
	if (!proc_entry)
		goto fail;
	return 0;
fail:
	drive_free(i);
	return -ENOMEM;
}

static void __exit drive_exit(void)
{
	proc_remove(proc_entry);
	drive_free(threads);
}

module_init(drive_init);
module_exit(drive_exit);

MODULE_DESCRIPTION("Drives known operations in kernel threads for tracer.ko's tests");
MODULE_LICENSE("GPL");
