/*
 * dev/dev.c - device attachment at boot.
 *
 *   kmain_thread0
 *     sched_start          interrupts on, threads may sleep
 *     dev_attach
 *       ioapic_init        MADT, I/O APIC mapped, every input masked
 *       pci_enumerate      bus 0 and behind bridges; BARs sized
 *       pci_print          the device list on the console
 *       vblk_attach        each virtio-blk function, in PCI order
 *       ioapic_print       which lines ended up in use (INTx devices)
 *
 * It runs after sched_start so that drivers may sleep from their first
 * request on (no polling phase is needed).  A driver failing leaves its
 * device alone; the boot goes on without it.
 */
#include "dev/dev.h"
#include "dev/blk.h"
#include "dev/ioapic.h"
#include "dev/pci.h"
#include "dev/virtio_blk.h"
#include "kern/lib/errname.h"
#include "kern/lib/printf.h"

void
dev_attach(void)
{
	int error = ioapic_init();

	if (error != 0)
		kprintf("ioapic: not used (" ERRNO_FMT "): devices without MSI-X will poll\n",
		    ERRNO_ARGS(error));
	pci_enumerate();
	pci_print(kprint);
	for (int i = 0; i < pci_count(); i++) {
		struct pci_dev *p = pci_get(i);
		if (!vblk_match(p))
			continue;
		error = vblk_attach(p);
		if (error != 0)
			kprintf("virtio-blk at %02x:%02x.%x: not attached: " ERRNO_FMT "\n",
			    p->bus, p->slot, p->fn, ERRNO_ARGS(error));
	}
	ioapic_print(kprint);
	kprintf("blk: %d disk(s)\n", blk_count());
}
