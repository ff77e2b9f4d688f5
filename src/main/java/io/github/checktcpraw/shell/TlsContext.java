package io.github.checktcpraw.shell;

import io.github.checktcpraw.service.ServiceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS client context of a check with {@code --tls}: what to trust. Without {@code --tls-verify}
 * any certificate, as check_http does (the check reports its expiry, not its issuer); with it, the
 * system's CA bundle (Debian's ca-certificates, where update-ca-certificates puts local CAs), or the
 * Java runtime's own trust store where there is none.
 */
public final class TlsContext {

    /** Debian's and Ubuntu's bundle of every trusted CA, PEM. */
    private static final Path SYSTEM_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");

    private TlsContext() {
    }

    public static SSLContext of(ServiceRequest.Tls tls) throws SetupException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManager trust;
            if (tls.verify()) {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(systemTrustStore(SYSTEM_BUNDLE));
                trust = factory.getTrustManagers()[0];
            } else {
                trust = new AnyCertificate();
            }
            context.init(null, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new SetupException("cannot set up TLS: " + e.getMessage());
        }
    }

    /** The CAs of a PEM bundle, or {@code null} (the runtime's own) when there is no such file. */
    private static KeyStore systemTrustStore(Path bundle) throws SetupException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(bundle)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate ca : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + n++, ca);
            }
            return store;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new SetupException("cannot read the CA bundle " + bundle + ": " + e.getMessage());
        }
    }

    /** Trusts whatever the server presents: the certificate is reported, not judged. */
    private static final class AnyCertificate extends X509ExtendedTrustManager {

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
