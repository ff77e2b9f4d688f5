package io.github.checktcpraw.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS server in memory, the JDK's SSLEngine in server mode with a self-signed certificate made by
 * keytool (valid {@value #DAYS} days, for vip.lab.test and 198.51.100.100): bytes in, bytes out, and
 * the answer to what it hears inside TLS.
 */
final class TlsServer {

    static final String PASSWORD = "changeit";
    static final int DAYS = 20;
    private static Path keyStore;

    private final SSLEngine engine;
    private final Function<String, String> answer;
    private ByteBuffer fromClient = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer plain = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer records = ByteBuffer.allocate(1 << 17);
    private final StringBuilder heard = new StringBuilder();
    private String serverNameSeen;
    boolean closeNotifyReceived;

    TlsServer(Function<String, String> answer) throws GeneralSecurityException, IOException {
        this.answer = answer;
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store(), PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setSNIMatchers(List.of(new SNIMatcher(0) {
            @Override
            public boolean matches(SNIServerName name) {
                serverNameSeen = new String(name.getEncoded(), StandardCharsets.US_ASCII);
                return true;
            }
        }));
        engine.setSSLParameters(parameters);
    }

    /** A trust store that holds the server's certificate. */
    static KeyStore trustStore() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", store().getCertificate("server"));
        return trust;
    }

    static SSLContext trusting() throws GeneralSecurityException, IOException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    String serverNameSeen() {
        return serverNameSeen;
    }

    String heard() {
        return heard.toString();
    }

    /** The client's bytes in; the server's answer out. */
    byte[] exchange(byte[] fromTheClient) throws SSLException {
        fromClient.put(fromTheClient);
        byte[] out = new byte[0];
        boolean moved = true;
        while (moved) {
            moved = false;
            SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
            if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
                moved = true;
            } else if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                out = concat(out, wrap(ByteBuffer.allocate(0)));
                moved = true;
            } else if (fromClient.position() > 0 && !engine.isInboundDone()) {
                fromClient.flip();
                SSLEngineResult result = engine.unwrap(fromClient, plain);
                fromClient.compact();
                moved = result.bytesConsumed() > 0;
                closeNotifyReceived |= result.getStatus() == SSLEngineResult.Status.CLOSED;
                if (plain.position() > 0) {
                    heard.append(new String(plain.array(), 0, plain.position(), StandardCharsets.ISO_8859_1));
                    plain.clear();
                    String reply = answer.apply(heard.toString());
                    if (reply != null) {
                        out = concat(out, wrap(ByteBuffer.wrap(reply.getBytes(StandardCharsets.ISO_8859_1))));
                    }
                }
            }
        }
        return out;
    }

    private byte[] wrap(ByteBuffer application) throws SSLException {
        byte[] out = new byte[0];
        do {
            SSLEngineResult result = engine.wrap(application, records);
            out = concat(out, Arrays.copyOf(records.array(), records.position()));
            records.clear();
            if (result.bytesProduced() == 0) {
                break;
            }
        } while (application.hasRemaining());
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** The server's key and certificate, made once per test run by the JDK's keytool. */
    private static synchronized KeyStore store() throws GeneralSecurityException, IOException {
        if (keyStore == null) {
            Path dir = Files.createTempDirectory("tls-server-");
            Path file = dir.resolve("server.p12");
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=vip.lab.test", "-ext", "san=dns:vip.lab.test,ip:198.51.100.100",
                    "-validity", Integer.toString(DAYS), "-storetype", "PKCS12", "-keystore", file.toString(),
                    "-storepass", PASSWORD).redirectErrorStream(true).start();
            try {
                String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                    throw new IOException("keytool failed: " + output);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            keyStore = file;
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }
}
