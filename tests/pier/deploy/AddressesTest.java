package pier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import pier.base.PierException;
import pier.names.AppName;

class AddressesTest {
    private static final AppName BLOG = AppName.of("blog");

    @Test
    void theFirstAddressIsTheOneBelowTheBroadcastAddress() {
        assertEquals("172.30.4.254", Addresses.choose("172.30.4.0/24", Set.of(), BLOG));
    }

    @Test
    void anAddressAContainerHoldsIsSkipped() {
        assertEquals("172.30.4.252", Addresses.choose("172.30.4.0/24", Set.of("172.30.4.254", "172.30.4.253"), BLOG));
    }

    @Test
    void aSubnetWrittenWithHostBitsIsReadAsItsNetwork() {
        assertEquals("10.1.1.254", Addresses.choose("10.1.1.77/24", Set.of(), BLOG));
        assertEquals("10.1.255.254", Addresses.choose("10.1.0.0/16", Set.of(), BLOG));
    }

    @Test
    void onlyTheUpperHalfIsUsedSoTheEnginesOwnPicksNeverCollide() {
        Set<String> held = new HashSet<>();
        for (int i = 128; i <= 254; i++) {
            held.add("172.30.4." + i);
        }
        PierException full = assertThrows(PierException.class, () -> Addresses.choose("172.30.4.0/24", held, BLOG));
        assertTrue(full.getMessage().contains("pier ps:reconcile blog"), full.getMessage());
        held.remove("172.30.4.128");
        assertEquals("172.30.4.128", Addresses.choose("172.30.4.0/24", held, BLOG));
    }
}
