package io.github.checktcpraw.pcap;

/**
 * A libpcap call failed (or libpcap itself is missing). The message is one readable line naming
 * the function and device and carrying libpcap's own text, fit to print as it is; {@link #status()}
 * is the libpcap status code, so callers can tell, say, a permission problem from a typo in the
 * interface name.
 */
public final class PcapException extends Exception {

    private static final long serialVersionUID = 1L;

    /** PCAP_ERROR: generic error; the message holds libpcap's error text. */
    public static final int PCAP_ERROR = -1;
    /** PCAP_ERROR_NO_SUCH_DEVICE: the interface does not exist. */
    public static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
    /** PCAP_ERROR_PERM_DENIED: capturing needs root or CAP_NET_RAW. */
    public static final int PCAP_ERROR_PERM_DENIED = -8;
    /** PCAP_ERROR_IFACE_NOT_UP: the interface is down. */
    public static final int PCAP_ERROR_IFACE_NOT_UP = -9;

    private final int status;

    /**
     * @param status  the libpcap status code (a negative PCAP_ERROR_* value)
     * @param message one line naming what failed, with libpcap's own text
     */
    public PcapException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** @return the libpcap status code, for example {@link #PCAP_ERROR_PERM_DENIED} */
    public int status() {
        return status;
    }

    /** @return whether capturing was refused for want of privileges (root or CAP_NET_RAW) */
    public boolean isPermissionDenied() {
        return status == PCAP_ERROR_PERM_DENIED;
    }

    /** @return whether the named interface does not exist */
    public boolean isNoSuchDevice() {
        return status == PCAP_ERROR_NO_SUCH_DEVICE;
    }
}
