package dev.stowaway.samples.spring;

import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Spring Boot application that knows nothing of Stowaway: Boot builds its HikariCP DataSource
 * from {@code spring.datasource.*}, whose username and password in application.properties are
 * placeholders. It counts shipments once and exits.
 */
@SpringBootApplication
public class ShipmentsApplication {

  public static void main(String[] args) {
    SpringApplication.exit(SpringApplication.run(ShipmentsApplication.class, args));
  }

  @Bean
  CommandLineRunner countShipments(JdbcTemplate jdbc) {
    return args -> {
      Integer shipments = jdbc.queryForObject("SELECT COUNT(*) FROM shipments", Integer.class);
      String user = jdbc.queryForObject("SELECT CURRENT_USER", String.class);
      System.out.println("shipments: " + shipments + ", logged in as " + user);
    };
  }
}
