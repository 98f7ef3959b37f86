package dev.switchover.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabHostTest {
    @Test
    void everyHostHasItsOwnNameAndAnAddressOfItsOwnButTheBenchsTwoPairs() {
        Set<String> names = new HashSet<>();
        Map<String, List<LabHost>> byAddress = new HashMap<>();
        for (LabHost h : LabHost.values()) {
            assertTrue(names.add(h.hostName()), "two hosts named " + h.hostName());
            assertTrue(h.address().matches("198\\.18\\.0\\.\\d{1,3}"), h.address());
            byAddress
                    .computeIfAbsent(h.address(), a -> new java.util.ArrayList<>())
                    .add(h);
        }
        Map<String, List<LabHost>> shared = new HashMap<>(byAddress);
        shared.values().removeIf(hosts -> hosts.size() == 1);
        // The bench brings its PostgreSQL and MySQL cutover pairs up one after the other.
        assertEquals(
                Map.of(
                        LabHost.BCS.address(), List.of(LabHost.BCS, LabHost.BMS),
                        LabHost.BCT.address(), List.of(LabHost.BCT, LabHost.BMT)),
                shared);
    }

    @Test
    void nothingIsEverAtTheAddressesOfNowhereNorAtTheBridgeOrTheClient() {
        Set<String> taken = new HashSet<>();
        for (LabHost h : LabHost.values()) taken.add(h.address());
        for (int i = 0; i < 7; i++) assertFalse(taken.contains(LabHost.nowhere(i)), LabHost.nowhere(i));
        assertFalse(taken.contains(LabHost.WORKER_ADDRESS));
        assertFalse(taken.contains(LabHost.CLIENT_ADDRESS));
    }
}
