"""World Manufacturer Identifiers (VIN positions 1-3) of the makes most often seen on the road.

Used only by the offline decoder, when vPIC cannot be reached. Names follow the SAE WMI
assignments as commonly published (make, and the plant country where it tells one WMI from another).
"""

from __future__ import annotations

WMI_MANUFACTURERS: dict[str, str] = {
    # United States
    "1C3": "Chrysler", "1C4": "Chrysler (Jeep, Dodge)", "1C6": "Chrysler (Ram)", "1D3": "Dodge",
    "1D7": "Dodge", "1FA": "Ford", "1FB": "Ford", "1FC": "Ford", "1FD": "Ford", "1FM": "Ford",
    "1FT": "Ford", "1FU": "Freightliner", "1FV": "Freightliner", "1G1": "Chevrolet", "1G2": "Pontiac",
    "1G3": "Oldsmobile", "1G4": "Buick", "1G6": "Cadillac", "1GC": "Chevrolet", "1GK": "GMC",
    "1GM": "Pontiac", "1GN": "Chevrolet", "1GT": "GMC", "1GY": "Cadillac", "1HD": "Harley-Davidson",
    "1HG": "Honda (USA)", "1J4": "Jeep", "1J8": "Jeep", "1LN": "Lincoln", "1ME": "Mercury",
    "1N4": "Nissan (USA)", "1N6": "Nissan (USA)", "1NX": "Toyota (NUMMI, USA)", "1VW": "Volkswagen (USA)",
    "1YV": "Mazda (AutoAlliance, USA)", "1ZV": "Ford (AutoAlliance, USA)", "19U": "Acura (USA)",
    "19X": "Honda (USA)", "4JG": "Mercedes-Benz (USA)", "4S3": "Subaru (USA)", "4S4": "Subaru (USA)",
    "4T1": "Toyota (USA)", "4T3": "Toyota (USA)", "4T4": "Toyota (USA)", "4US": "BMW (USA)",
    "5FN": "Honda (USA)", "5J6": "Honda (USA)", "5J8": "Acura (USA)", "5N1": "Nissan (USA)",
    "5NM": "Hyundai (USA)", "5NP": "Hyundai (USA)", "5TD": "Toyota (USA)", "5TF": "Toyota (USA)",
    "5UX": "BMW (USA)", "5XY": "Kia (USA)", "5YJ": "Tesla", "7SA": "Tesla", "5YF": "Toyota (USA)",
    "4T5": "Toyota (USA)", "1GB": "Chevrolet", "1GD": "GMC",
    # Canada
    "2C3": "Chrysler (Canada)", "2C4": "Chrysler (Canada)", "2FA": "Ford (Canada)", "2FM": "Ford (Canada)",
    "2FT": "Ford (Canada)", "2G1": "Chevrolet (Canada)", "2G2": "Pontiac (Canada)", "2GN": "Chevrolet (Canada)",
    "2HG": "Honda (Canada)", "2HK": "Honda (Canada)", "2HM": "Hyundai (Canada)", "2T1": "Toyota (Canada)",
    "2T2": "Lexus (Canada)", "2T3": "Toyota (Canada)",
    # Mexico
    "3C4": "Chrysler (Mexico)", "3C6": "Ram (Mexico)", "3FA": "Ford (Mexico)", "3G1": "Chevrolet (Mexico)",
    "3GC": "Chevrolet (Mexico)", "3GN": "Chevrolet (Mexico)", "3HG": "Honda (Mexico)", "3KP": "Kia (Mexico)",
    "3MZ": "Mazda (Mexico)", "3N1": "Nissan (Mexico)", "3N6": "Nissan (Mexico)", "3VW": "Volkswagen (Mexico)",
    "3VV": "Volkswagen (Mexico)",
    # Japan
    "JA3": "Mitsubishi", "JA4": "Mitsubishi", "JF1": "Subaru", "JF2": "Subaru", "JH4": "Acura",
    "JHL": "Honda", "JHM": "Honda", "JKA": "Kawasaki", "JM1": "Mazda", "JM3": "Mazda", "JN1": "Nissan",
    "JN8": "Nissan", "JS1": "Suzuki", "JS3": "Suzuki", "JT2": "Toyota", "JT3": "Toyota", "JTD": "Toyota",
    "JTE": "Toyota", "JTH": "Lexus", "JTJ": "Lexus", "JTK": "Toyota (Scion)", "JTM": "Toyota",
    "JTN": "Toyota", "JYA": "Yamaha",
    # South Korea
    "KL1": "Chevrolet (GM Korea)", "KM8": "Hyundai", "KMH": "Hyundai", "KNA": "Kia", "KND": "Kia",
    "KNM": "Renault Samsung",
    # China, India
    "LFV": "FAW-Volkswagen", "LRW": "Tesla (China)", "LSG": "SAIC-GM", "LSV": "SAIC Volkswagen",
    "LVS": "Changan Ford", "MA3": "Maruti Suzuki", "MAJ": "Ford (India)", "MAL": "Hyundai (India)",
    # Europe
    "SAJ": "Jaguar", "SAL": "Land Rover", "SAR": "Rover", "SB1": "Toyota (UK)", "SCC": "Lotus",
    "SCF": "Aston Martin", "SHH": "Honda (UK)", "SJN": "Nissan (UK)", "TMA": "Hyundai (Czech Republic)",
    "TMB": "Skoda", "TRU": "Audi (Hungary)", "U5Y": "Kia (Slovakia)", "VF1": "Renault", "VF3": "Peugeot",
    "VF7": "Citroen", "VNK": "Toyota (France)", "VSS": "SEAT", "VSK": "Nissan (Spain)", "W0L": "Opel",
    "W1K": "Mercedes-Benz", "W1N": "Mercedes-Benz", "WA1": "Audi", "WAU": "Audi", "WBA": "BMW",
    "WBS": "BMW M", "WBX": "BMW", "WBY": "BMW i", "WDB": "Mercedes-Benz", "WDC": "Mercedes-Benz",
    "WDD": "Mercedes-Benz", "WF0": "Ford (Germany)", "WMW": "MINI", "WP0": "Porsche", "WP1": "Porsche",
    "WV1": "Volkswagen Commercial Vehicles", "WV2": "Volkswagen Commercial Vehicles", "WVG": "Volkswagen",
    "WVW": "Volkswagen", "YS3": "Saab", "YV1": "Volvo", "YV4": "Volvo", "ZAM": "Maserati",
    "ZAR": "Alfa Romeo", "ZDM": "Ducati", "ZFA": "Fiat", "ZFF": "Ferrari", "ZHW": "Lamborghini",
    "NM0": "Ford (Turkey)",
}


def manufacturer_for(vin: str) -> str | None:
    return WMI_MANUFACTURERS.get(vin[:3])
