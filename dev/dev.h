/*
 * dev/dev.h - bringing up the devices found at boot.
 */
#ifndef DEV_DEV_H
#define DEV_DEV_H

/*
 * dev_attach - start the I/O APIC, enumerate PCI and print the device
 * list, attach drivers (virtio-blk: vda, vdb, ... in PCI order).
 *  => once, from kmain_thread0 right after sched_start (interrupts on,
 *     threads can sleep); a device that fails to attach is reported and
 *     skipped, never fatal.
 */
void dev_attach(void);

#endif
