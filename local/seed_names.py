"""Word lists for the demo agency's customers: common US names, business names, Springfield streets.

Emails use the reserved example.com/.org/.net domains and phone numbers the fictional 555-01xx range.
"""

from __future__ import annotations


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep) if w.strip())


FIRST_NAMES = _words(
    """
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph
    Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret
    Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa
    George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy Jacob
    Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry Pamela Justin Nicole Scott
    Samantha Brandon Katherine Benjamin Christine Samuel Helen Gregory Debra Alexander Rachel Patrick Carolyn
    Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Diane Tyler Julie Aaron Joyce Jose Victoria Adam
    Ruth Nathan Virginia Henry Lauren Zachary Kelly Douglas Christina Peter Joan Kyle Evelyn Noah Judith Ethan
    Andrea Jeremy Hannah Walter Megan Christian Cheryl Keith Jacqueline Roger Martha Terry Madison Austin Teresa
    Sean Gloria Gerald Sara Carl Janice Harold Ann Dylan Kathryn Arthur Abigail Lawrence Sophia Jordan Frances
    Jesse Jean Bryan Alice Billy Judy Bruce Isabella Gabriel Julia Joe Grace Logan Amber Alan Denise Juan Danielle
    Albert Marilyn Willie Beverly Elijah Charlotte Wayne Natalie Randy Theresa Vincent Diana Mason Brittany Roy
    Doris Ralph Kayla Bobby Alexis Russell Lori Bradley Marie Philip Mei Wei Priya Arjun Aisha Omar Fatima Hiroshi
    Yuki Carlos Lucia Miguel Sofia Diego Camila Mateo Valentina Andre Chloe Malik Imani Tariq Leila
    """
)

LAST_NAMES = _words(
    """
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson
    Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis
    Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera
    Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart
    Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim
    Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo
    Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler
    Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds
    Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford
    Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman
    Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon
    Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice
    Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer
    Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong
    Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards
    Contreras Willis Carpenter Lawrence Sandoval O'Brien Okafor Nakamura Kowalski Haddad
    """
)

BUSINESS_WORDS = _words(
    """
    Prairie Lincoln Capitol Sangamon Heritage Riverside Northgate Maple Oakwood Union Keystone Summit Cornerstone
    Lakeside Midwest Pioneer Liberty Horizon Meadow Granite Harvest Beacon Cedar Frontier Monarch Sterling
    """
)

BUSINESS_KINDS = _words(
    """
    Bakery|Hardware|Dental Group|Auto Repair|Family Pharmacy|Coffee Roasters|Veterinary Clinic|Builders|
    Property Management|Print Shop|Florist|Brewing Company|Fitness Studio|Landscaping|Plumbing & Heating|
    Laundromat|Realty|Cafe|Bookstore|Electric Co.
    """.replace("\n", ""),
    "|",
)

STREETS = _words(
    """
    Adams|Monroe|Capitol|Jefferson|Washington|Madison|Edwards|Cook|Lawrence|Enos|Walnut|Glenwood|Chatham|
    MacArthur|Wabash|Stevenson|Spring|Second|Fourth|Fifth|Sixth|Seventh|Ninth|Grand|Cedar|Maple|Oak|Elm|
    Lake Shore|Sangamon|Peoria|Taylor|Ash|Laurel|Cherry|Lincoln|Douglas|Dirksen|Converse|Iles
    """.replace("\n", ""),
    "|",
)

BUSINESS_SUFFIXES = ("LLC", "Inc.", "Co.", "", "", "")
STREET_SUFFIXES = ("St", "Ave", "Blvd", "Rd", "Dr", "Ct", "Pkwy", "Ln")
ZIP_CODES = tuple(f"627{n:02d}" for n in (1, 2, 3, 4, 7, 11, 12))
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
