// SPDX-License-Identifier: GPL-2.0
/*
 * tracer.ko: counts, per monitored process, the calls of __kmalloc (and the
 * bytes asked), kfree (and the bytes freed, known from the address->size
 * pairs recorded when __kmalloc returned), schedule, up, down_interruptible,
 * mutex_lock and mutex_unlock, with kretprobes.
 *
 *   /dev/tracer (misc 10:42)  ioctl TRACER_ADD_PROCESS / TRACER_REMOVE_PROCESS, arg = pid
 *   /proc/tracer              one line per monitored process:
 *                             PID kmalloc kfree kmalloc_mem kfree_mem sched up down lock unlock
 *
 * A process is its thread group: every thread of it counts. It leaves the
 * table when it is reaped (release_task() of its group leader), so its pid
 * cannot be reused while it is listed. Calls made in interrupt context
 * (hardirq, softirq) are not counted: they do not belong to the task they
 * interrupted.
 *
 * Probe context: the handlers never sleep. The process table is read under
 * RCU and changed under tracer_lock; the counters are atomic. The
 * address->size pairs live in a hash table under mem_lock, allocated from a
 * kmem_cache of their own with GFP_ATOMIC (not kmalloc: that would re-enter
 * the __kmalloc probe).
 */
#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tracer.h"

/* More than the tasks that can sit in a probed function at once. */
#define TRACER_MAXACTIVE	128

enum tracer_counter {
	TC_KMALLOC,
	TC_KFREE,
	TC_KMALLOC_MEM,
	TC_KFREE_MEM,
	TC_SCHED,
	TC_UP,
	TC_DOWN,
	TC_LOCK,
	TC_UNLOCK,
	TC_NR
};

struct tracer_proc {
	pid_t tgid;
	struct hlist_node node;
	struct rcu_head rcu;
	atomic64_t count[TC_NR];
};

/* One block __kmalloc returned to a monitored process. */
struct tracer_mem {
	unsigned long addr;
	size_t size;
	pid_t tgid;
	struct hlist_node node;
};

static DEFINE_HASHTABLE(procs, 8);
static DEFINE_SPINLOCK(tracer_lock);
static DEFINE_HASHTABLE(mems, 10);
static DEFINE_SPINLOCK(mem_lock);
static struct kmem_cache *mem_cache;

/* The monitored process current belongs to; the caller holds rcu_read_lock(). */
static struct tracer_proc *find_proc_rcu(pid_t tgid)
{
	struct tracer_proc *p;

	hash_for_each_possible_rcu(procs, p, node, tgid)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

/*
 * Whether the probed function was called in task context. in_task() cannot
 * tell: a probe hit through int3 (one not optimized into a jump) runs its
 * handlers in the NMI-like context exc_int3() enters, which adds NMI_OFFSET
 * and one HARDIRQ_OFFSET to the preempt count. Take that level back out.
 */
static bool called_in_task(void)
{
	unsigned long hardirqs = hardirq_count() >> HARDIRQ_SHIFT;

	if (in_nmi() && hardirqs)
		hardirqs--;
	return !hardirqs && !in_serving_softirq();
}

/* Adds @n to counter @c of current's process; false when it is not monitored. */
static bool count_current(enum tracer_counter c, s64 n)
{
	struct tracer_proc *p;
	bool found = false;

	if (!called_in_task())
		return false;
	rcu_read_lock();
	p = find_proc_rcu(current->tgid);
	if (p) {
		atomic64_add(n, &p->count[c]);
		found = true;
	}
	rcu_read_unlock();
	return found;
}

/* Forgets the blocks recorded for @tgid (it is no longer monitored). */
static void drop_mems(pid_t tgid)
{
	struct tracer_mem *m;
	struct hlist_node *tmp;
	unsigned long flags;
	int bkt;

	spin_lock_irqsave(&mem_lock, flags);
	hash_for_each_safe(mems, bkt, tmp, m, node) {
		if (m->tgid == tgid) {
			hash_del(&m->node);
			kmem_cache_free(mem_cache, m);
		}
	}
	spin_unlock_irqrestore(&mem_lock, flags);
}

/* __kmalloc(size, flags): count at entry, record the block at return. */
struct kmalloc_data {
	size_t size;
};

static int kmalloc_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kmalloc_data *d = (struct kmalloc_data *)ri->data;

	d->size = regs_get_kernel_argument(regs, 0);
	if (!count_current(TC_KMALLOC, 1))
		return 1;	/* not monitored: no return handler */
	count_current(TC_KMALLOC_MEM, d->size);
	return 0;
}

static int kmalloc_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kmalloc_data *d = (struct kmalloc_data *)ri->data;
	unsigned long addr = regs_return_value(regs);
	struct tracer_mem *m;
	unsigned long flags;

	if (ZERO_OR_NULL_PTR((void *)addr))
		return 0;
	m = kmem_cache_alloc(mem_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!m)
		return 0;	/* its kfree will count no bytes */
	m->addr = addr;
	m->size = d->size;
	m->tgid = current->tgid;
	spin_lock_irqsave(&mem_lock, flags);
	hash_add(mems, &m->node, addr);
	spin_unlock_irqrestore(&mem_lock, flags);
	return 0;
}

static int kfree_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long addr = regs_get_kernel_argument(regs, 0);
	struct tracer_mem *m, *found = NULL;
	unsigned long flags;

	if (!count_current(TC_KFREE, 1))
		return 1;
	spin_lock_irqsave(&mem_lock, flags);
	hash_for_each_possible(mems, m, node, addr) {
		if (m->addr == addr) {
			hash_del(&m->node);
			found = m;
			break;
		}
	}
	spin_unlock_irqrestore(&mem_lock, flags);
	if (found) {
		count_current(TC_KFREE_MEM, found->size);
		kmem_cache_free(mem_cache, found);
	}
	return 1;
}

/* The probes that only count: the entry handler counts, no return handler runs. */
static int sched_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	count_current(TC_SCHED, 1);
	return 1;
}

static int up_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	count_current(TC_UP, 1);
	return 1;
}

static int down_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	count_current(TC_DOWN, 1);
	return 1;
}

static int lock_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	count_current(TC_LOCK, 1);
	return 1;
}

static int unlock_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	count_current(TC_UNLOCK, 1);
	return 1;
}

static int noop_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

#define TRACER_PROBE(sym, entry, ret, data)					\
	{									\
		.kp.symbol_name = sym,						\
		.entry_handler = entry,						\
		.handler = ret,							\
		.data_size = data,						\
		.maxactive = TRACER_MAXACTIVE,					\
	}

static struct kretprobe probes[] = {
	TRACER_PROBE("__kmalloc", kmalloc_entry, kmalloc_ret, sizeof(struct kmalloc_data)),
	TRACER_PROBE("kfree", kfree_entry, noop_ret, 0),
	TRACER_PROBE("schedule", sched_entry, noop_ret, 0),
	TRACER_PROBE("up", up_entry, noop_ret, 0),
	TRACER_PROBE("down_interruptible", down_entry, noop_ret, 0),
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	TRACER_PROBE("mutex_lock_nested", lock_entry, noop_ret, 0),
#else
	TRACER_PROBE("mutex_lock", lock_entry, noop_ret, 0),
#endif
	TRACER_PROBE("mutex_unlock", unlock_entry, noop_ret, 0),
};

static struct kretprobe *probe_ptrs[ARRAY_SIZE(probes)];

/* Removes @tgid's entry; the caller holds tracer_lock. */
static bool remove_locked(pid_t tgid)
{
	struct tracer_proc *p;

	hash_for_each_possible(procs, p, node, tgid) {
		if (p->tgid == tgid) {
			hash_del_rcu(&p->node);
			kfree_rcu(p, rcu);
			return true;
		}
	}
	return false;
}

static bool remove_proc(pid_t tgid)
{
	unsigned long flags;
	bool removed;

	spin_lock_irqsave(&tracer_lock, flags);
	removed = remove_locked(tgid);
	spin_unlock_irqrestore(&tracer_lock, flags);
	if (removed)
		drop_mems(tgid);
	return removed;
}

/* release_task(p): a reaped group leader takes its process out of the table. */
static int release_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct task_struct *p = (struct task_struct *)regs_get_kernel_argument(regs, 0);

	if (thread_group_leader(p))
		remove_proc(p->tgid);
	return 0;
}

static struct kprobe release_probe = {
	.symbol_name = "release_task",
	.pre_handler = release_pre,
};

/* The global tgid of the process @nr names in the caller's pid namespace. */
static pid_t global_tgid(pid_t nr)
{
	struct task_struct *t;
	pid_t tgid = 0;

	if (nr <= 0)
		return 0;
	rcu_read_lock();
	t = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (t)
		tgid = t->tgid;
	rcu_read_unlock();
	return tgid;
}

static int add_proc(pid_t tgid)
{
	struct tracer_proc *p, *old;
	unsigned long flags;
	int i, ret = 0;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->tgid = tgid;
	for (i = 0; i < TC_NR; i++)
		atomic64_set(&p->count[i], 0);
	spin_lock_irqsave(&tracer_lock, flags);
	hash_for_each_possible(procs, old, node, tgid) {
		if (old->tgid == tgid) {
			ret = -EEXIST;
			break;
		}
	}
	if (!ret)
		hash_add_rcu(procs, &p->node, tgid);
	spin_unlock_irqrestore(&tracer_lock, flags);
	if (ret)
		kfree(p);
	return ret;
}

static long tracer_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	pid_t tgid = global_tgid((pid_t)arg);

	switch (cmd) {
	case TRACER_ADD_PROCESS:
		return tgid ? add_proc(tgid) : -ESRCH;
	case TRACER_REMOVE_PROCESS:
		return tgid && remove_proc(tgid) ? 0 : -ESRCH;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations tracer_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = tracer_ioctl,
	.compat_ioctl = tracer_ioctl,
};

static struct miscdevice tracer_dev = {
	.minor = TRACER_DEV_MINOR,
	.name = TRACER_DEV_NAME,
	.fops = &tracer_fops,
};

static int tracer_show(struct seq_file *m, void *v)
{
	struct tracer_proc *p;
	int bkt, i;

	seq_puts(m, "PID\tkmalloc\tkfree\tkmalloc_mem\tkfree_mem\tsched\tup\tdown\tlock\tunlock\n");
	rcu_read_lock();
	hash_for_each_rcu(procs, bkt, p, node) {
		seq_printf(m, "%d", p->tgid);
		for (i = 0; i < TC_NR; i++)
			seq_printf(m, "\t%lld", (long long)atomic64_read(&p->count[i]));
		seq_putc(m, '\n');
	}
	rcu_read_unlock();
	return 0;
}

static struct proc_dir_entry *proc_entry;

/* Empties both tables; the probes are gone, so nothing adds to them. */
static void free_all(void)
{
	struct tracer_proc *p;
	struct tracer_mem *m;
	struct hlist_node *tmp;
	int bkt;

	spin_lock_irq(&tracer_lock);
	hash_for_each_safe(procs, bkt, tmp, p, node) {
		hash_del_rcu(&p->node);
		kfree_rcu(p, rcu);
	}
	spin_unlock_irq(&tracer_lock);
	spin_lock_irq(&mem_lock);
	hash_for_each_safe(mems, bkt, tmp, m, node) {
		hash_del(&m->node);
		kmem_cache_free(mem_cache, m);
	}
	spin_unlock_irq(&mem_lock);
}

static int __init tracer_init(void)
{
	int i, ret;

	mem_cache = KMEM_CACHE(tracer_mem, 0);
	if (!mem_cache)
		return -ENOMEM;
	proc_entry = proc_create_single(TRACER_DEV_NAME, 0444, NULL, tracer_show);
	if (!proc_entry) {
		ret = -ENOMEM;
		goto err_cache;
	}
	ret = misc_register(&tracer_dev);
	if (ret)
		goto err_proc;
	ret = register_kprobe(&release_probe);
	if (ret)
		goto err_misc;
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		probe_ptrs[i] = &probes[i];
	ret = register_kretprobes(probe_ptrs, ARRAY_SIZE(probes));
	if (ret)
		goto err_release;
	return 0;

err_release:
	unregister_kprobe(&release_probe);
err_misc:
	misc_deregister(&tracer_dev);
err_proc:
	proc_remove(proc_entry);
err_cache:
	kmem_cache_destroy(mem_cache);
	return ret;
}

static void __exit tracer_exit(void)
{
	unsigned long missed = 0;
	int i;

	unregister_kretprobes(probe_ptrs, ARRAY_SIZE(probes));
	unregister_kprobe(&release_probe);
	misc_deregister(&tracer_dev);
	proc_remove(proc_entry);
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		missed += probes[i].nmissed;
	if (missed)
		pr_info("tracer: %lu probe hits missed\n", missed);
	free_all();
	/* kfree_rcu() callbacks need no module code, but the cache must outlive no user. */
	rcu_barrier();
	kmem_cache_destroy(mem_cache);
}

module_init(tracer_init);
module_exit(tracer_exit);

MODULE_DESCRIPTION("Counts kmalloc, kfree, schedule, up/down and mutex calls per process");
MODULE_LICENSE("GPL");
