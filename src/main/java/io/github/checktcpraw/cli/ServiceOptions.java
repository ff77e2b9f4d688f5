package io.github.checktcpraw.cli;

import io.github.checktcpraw.service.ServiceRequest;
import java.util.List;

/**
 * The service check asked for after the handshake: what to say and look for, and how to judge the
 * answer.
 *
 * @param httpStatuses the only HTTP statuses that are OK ({@code --http-status}); {@code null}: 2xx and
 *     3xx OK, 4xx WARNING, 5xx CRITICAL, as check_http judges
 * @param certDays     when the server certificate's expiry makes the result WARNING or CRITICAL; {@code null}: never
 */
public record ServiceOptions(ServiceRequest request, List<Integer> httpStatuses, CertDays certDays) {

    public static final long DEFAULT_MAX_BYTES = 65536;

    /**
     * {@code --cert-days=W[,C]}: WARNING when the certificate expires within {@code warning} days,
     * CRITICAL within {@code critical} ({@link #NONE}: never).
     */
    public record CertDays(int warning, int critical) {

        public static final int NONE = -1;
    }
}
