"""People data for the demo directory: names by country, departments and job titles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NamePool:
    """First and last names typical for one country (comma-separated, see :func:`split_list`)."""

    country: str
    weight: float
    first_names: str
    last_names: str


NAME_POOLS: tuple[NamePool, ...] = (
    NamePool(
        "US",
        40,
        (
            "James, Mary, Robert, Patricia, Michael, Jennifer, David, Linda, William, "
            "Elizabeth, Christopher, Jessica, Daniel, Sarah, Matthew, Karen, Anthony, "
            "Ashley, Joshua, Emily, Kevin, Megan, Brian, Rachel, Tyler"
        ),
        (
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, "
            "Taylor, Thomas, Moore, Jackson, Martin, Thompson, White, Harris, Clark, Lewis, "
            "Walker, Hall, Young, Allen, King, Wright"
        ),
    ),
    NamePool(
        "GB",
        10,
        (
            "Oliver, Amelia, Harry, Olivia, George, Isla, Jack, Emily, Charlie, Poppy, "
            "Thomas, Sophie, Alfie, Grace, Oscar, Ruby"
        ),
        (
            "Evans, Roberts, Wright, Green, Hughes, Edwards, Turner, Hill, Cooper, Ward, "
            "Morris, Baker, Parker, Bennett, Shaw, Palmer"
        ),
    ),
    NamePool(
        "DE",
        8,
        (
            "Lukas, Anna, Jonas, Lea, Felix, Hannah, Maximilian, Laura, Tobias, Katharina, "
            "Jan, Julia, Stefan, Sabine, Jürgen, Birgit"
        ),
        (
            "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, "
            "Hoffmann, Koch, Richter, Klein, Wolf, Schröder, Neumann"
        ),
    ),
    NamePool(
        "FR",
        6,
        (
            "Louis, Camille, Hugo, Léa, Jules, Chloé, Arthur, Manon, Théo, Inès, Nicolas, "
            "Élodie, Mathieu, Céline"
        ),
        (
            "Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, "
            "Lefèvre, Girard, Fournier, Mercier"
        ),
    ),
    NamePool(
        "ES",
        5,
        (
            "José, María, Javier, Lucía, Alejandro, Carmen, Pablo, Elena, Sergio, Marta, "
            "Álvaro, Paula"
        ),
        (
            "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, "
            "Ruiz, Díaz, Moreno"
        ),
    ),
    NamePool(
        "IT",
        4,
        "Luca, Giulia, Marco, Francesca, Alessandro, Chiara, Matteo, Sara, Giorgio, Valentina",
        "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco",
    ),
    NamePool(
        "NL",
        4,
        "Daan, Emma, Sem, Sanne, Bram, Fleur, Thijs, Lotte, Ruben, Noor",
        (
            "de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Visser, Smit, "
            "Meijer, de Boer"
        ),
    ),
    NamePool(
        "PL",
        4,
        "Jakub, Zuzanna, Kacper, Julia, Piotr, Agnieszka, Tomasz, Katarzyna, Marcin, Magdalena",
        (
            "Nowak, Kowalski, Wiśniewski, Wójcik, Kamiński, Lewandowski, Zieliński, "
            "Szymański, Woźniak, Dąbrowski"
        ),
    ),
    NamePool(
        "IN",
        8,
        (
            "Aarav, Priya, Vivaan, Ananya, Arjun, Diya, Rohan, Kavya, Rahul, Sneha, Vikram, "
            "Pooja, Karthik, Neha"
        ),
        (
            "Sharma, Patel, Singh, Kumar, Gupta, Reddy, Iyer, Nair, Mehta, Joshi, Rao, "
            "Desai, Chopra, Menon"
        ),
    ),
    NamePool(
        "JP",
        3,
        "Haruto, Yui, Sota, Hina, Ren, Aoi, Takumi, Sakura, Kenji, Yuki",
        "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato",
    ),
    NamePool(
        "BR",
        4,
        "Miguel, Ana, Arthur, Beatriz, Gabriel, Mariana, Rafael, Larissa, Lucas, Fernanda",
        "Silva, Santos, Oliveira, Souza, Lima, Pereira, Costa, Carvalho, Almeida, Ribeiro",
    ),
    NamePool(
        "SE",
        2,
        "Erik, Astrid, Oskar, Elsa, Nils, Ingrid, Axel, Maja",
        "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson",
    ),
    NamePool(
        "NG",
        2,
        "Chinedu, Ngozi, Oluwaseun, Amaka, Emeka, Folake, Tunde, Chiamaka",
        "Okafor, Adeyemi, Okonkwo, Balogun, Eze, Nwosu, Adebayo, Obi",
    ),
)


@dataclass(frozen=True, slots=True)
class Department:
    """A department: ``code`` goes into device names such as ``LT-FIN-0042``.

    ``titles`` is comma-separated, see :func:`split_list`.
    """

    name: str
    code: str
    weight: float
    titles: str


def split_list(text: str) -> tuple[str, ...]:
    """Split a comma-separated data string into its items."""
    return tuple(item.strip() for item in text.split(","))


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Finance",
        "FIN",
        9,
        (
            "Accountant, Financial Analyst, Accounts Payable Specialist, "
            "Accounts Receivable Specialist, Controller, Finance Manager, "
            "Payroll Specialist, Treasury Analyst"
        ),
    ),
    Department(
        "Human Resources",
        "HR",
        5,
        (
            "HR Generalist, Recruiter, HR Business Partner, Talent Acquisition Lead, "
            "Learning and Development Specialist"
        ),
    ),
    Department(
        "Sales",
        "SAL",
        16,
        (
            "Account Executive, Sales Development Representative, Sales Manager, "
            "Solutions Consultant, Regional Sales Director, Customer Success Manager"
        ),
    ),
    Department(
        "Marketing",
        "MKT",
        7,
        (
            "Marketing Specialist, Content Strategist, Product Marketing Manager, "
            "Digital Campaign Manager, Graphic Designer"
        ),
    ),
    Department(
        "Engineering",
        "ENG",
        20,
        (
            "Software Engineer, Senior Software Engineer, QA Engineer, Engineering Manager, "
            "Site Reliability Engineer, DevOps Engineer, Data Engineer, Staff Engineer"
        ),
    ),
    Department(
        "Information Technology",
        "IT",
        6,
        (
            "Service Desk Technician, Systems Administrator, Network Engineer, "
            "Cloud Engineer, IT Manager, Endpoint Engineer"
        ),
    ),
    Department(
        "Information Security",
        "SEC",
        1.5,
        (
            "SOC Analyst, Senior SOC Analyst, Incident Responder, Security Engineer, "
            "Threat Intelligence Analyst"
        ),
    ),
    Department(
        "Legal", "LEG", 3, ("Corporate Counsel, Paralegal, Contracts Manager, Compliance Officer")
    ),
    Department(
        "Operations",
        "OPS",
        10,
        (
            "Operations Analyst, Logistics Coordinator, Procurement Specialist, "
            "Facilities Manager, Supply Chain Planner"
        ),
    ),
    Department(
        "Customer Support",
        "SUP",
        12,
        (
            "Support Specialist, Senior Support Engineer, Support Team Lead, "
            "Technical Account Manager"
        ),
    ),
    Department(
        "Executive Office",
        "EXE",
        2,
        (
            "Chief Executive Officer, Chief Operating Officer, Chief Financial Officer, "
            "Executive Assistant"
        ),
    ),
    Department(
        "Product",
        "PRD",
        6,
        ("Product Manager, Senior Product Manager, UX Researcher, Product Designer"),
    ),
)

# Job titles that get an administrative role in the directory.
ADMIN_TITLES = frozenset({"Systems Administrator", "Cloud Engineer", "Security Engineer"})

# Titles that work the alert queue; their holders appear in ``assignedTo``.
ANALYST_TITLES = frozenset({"SOC Analyst", "Senior SOC Analyst", "Incident Responder"})

# Departments every directory has, however small, so that every scenario finds its cast.
REQUIRED_SEATS: tuple[tuple[str, str], ...] = (
    ("SEC", "SOC Analyst"),
    ("SEC", "Senior SOC Analyst"),
    ("SEC", "Incident Responder"),
    ("SEC", "Security Engineer"),
    ("IT", "Systems Administrator"),
    ("IT", "Cloud Engineer"),
    ("FIN", "Accounts Payable Specialist"),
    ("FIN", "Finance Manager"),
    ("EXE", "Chief Financial Officer"),
)
