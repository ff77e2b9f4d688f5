package io.github.checktcpraw.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.checktcpraw.check.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleFileTest {

    @TempDir
    Path dir;

    private Role roleOf(String content) throws IOException, SetupException {
        Path file = dir.resolve("lvs.role");
        Files.writeString(file, content);
        return RoleFile.read(file);
    }

    @Test
    void onlyALeadingOneMeansMaster() throws Exception {
        assertEquals(Role.MASTER, roleOf("1"));
        assertEquals(Role.MASTER, roleOf("1\n"));
        assertEquals(Role.MASTER, roleOf("10"));
        assertEquals(Role.BACKUP, roleOf("0"));
        assertEquals(Role.BACKUP, roleOf(" 1"));
        assertEquals(Role.BACKUP, roleOf("MASTER"));
        assertEquals(Role.BACKUP, roleOf(""), "an empty file is BACKUP");
    }

    @Test
    void missingOrUnreadableRoleFilesAreNamed() {
        Path missing = dir.resolve("nope");
        assertEquals("role file " + missing + " does not exist",
                assertThrows(SetupException.class, () -> RoleFile.read(missing)).getMessage());
        assertEquals("role file " + dir + " is a directory",
                assertThrows(SetupException.class, () -> RoleFile.read(dir)).getMessage());
    }
}
